"""Texts of the format fixtures: the tests and ``fixtures/formats/make_fixtures.py`` share them."""

CONVERSATION = [
    ("Moderator", "What did your mentor expect in the first month?"),
    ("P1", "Weekly updates, and a draft by week four."),
    ("Dr. Lee", "I ask every scholar for the same."),
    ("P1", "It helped, honestly."),
]

#: (kind, ...) paragraphs of the Word/ODT file with a header.
HEADER_DOC = [
    ("plain", "Mentor focus group 2"),
    ("plain", "Date: 12 June 2024"),
    ("plain", "Site: Northfield"),
    ("bold-label", "Moderator", "Let\u2019s start with how you met your scholar."),
    ("bold-name", "Dr. Okafor"),
    ("plain", "We met at the orientation."),
    ("plain", "Note: she was assigned to me."),
    ("plain-label", "P2", "I chose mine, and we signed a compact."),
    ("plain", "Dr. Lee:"),
    ("plain", "That happens."),
]
HEADER_DOC_TURNS = [
    ("Moderator", "Let\u2019s start with how you met your scholar."),
    ("Dr. Okafor", "We met at the orientation.\nNote: she was assigned to me."),
    ("P2", "I chose mine, and we signed a compact."),
    ("Dr. Lee", "That happens."),
]
HEADER_DOC_METADATA = {"Date": "12 June 2024", "Site": "Northfield", "header": "Mentor focus group 2"}

TABLE_ROWS = [
    ("Time", "Speaker", "Text"),
    ("00:00:05", "Facilitator", "How were expectations set?"),
    ("00:00:12", "M1", "In the first meeting, with a written plan."),
    ("00:00:20", "M2", "Mine were never written down."),
]

LONG_GROUP_HEADER = ["Scholar focus group 3, Riverbend", "Date: 2 May 2024"]

LONG_GROUP = [
    ("MODERATOR", "Thank you all for coming this evening. Before we start, a reminder that we are "
                  "recording, that the transcript will carry numbers instead of your names, and that "
                  "you can stop at any time. I would like to begin with the first weeks of your "
                  "mentoring relationship. How did you learn what your mentor expected of you?"),
    ("P1", "For me it was mostly by trial and error. My mentor is very kind but very busy, and in "
           "the first month we met twice, both times for about fifteen minutes between her clinic "
           "sessions. Nobody sat me down and said this is what a good first year looks like. I "
           "learned that she wanted a draft of the specific aims by the end of the semester only "
           "when she asked me where it was, and by then I had spent weeks on a literature review "
           "that she did not think was a priority at all."),
    ("P2", "Mine was almost the opposite. We had a long first meeting where we went through the "
           "program handbook line by line, and she gave me a one page list of what she expected: "
           "weekly lab meetings, a written update every two weeks, first authorship on the main "
           "paper and middle authorship on the side projects. It felt a bit formal at the time, "
           "but honestly it saved us a lot of misunderstandings later on, especially about "
           "authorship, which is where I have seen other pairs get into real trouble."),
    ("P3", "I think part of the problem is that nobody tells the mentors either. My primary mentor "
           "had never had a scholar on a career development award before, so he assumed I would "
           "work like a postdoc in his lab, full time on his grants. It took us three months and a "
           "conversation with the program director to agree that seventy five percent of my time "
           "was protected for my own project. Once that was written down things got much better, "
           "but those three months were stressful and I almost left the program."),
    ("MODERATOR", "That is really helpful. So some of you had expectations written down early and "
                  "some of you found out along the way. Did anyone use a mentoring agreement or a "
                  "contract of some kind, and if so, did it make a difference?"),
    ("P2", "We used the template from the program office. We filled it in together during the "
           "second meeting and we look at it again every six months. The parts that mattered most "
           "were the ones about communication, how often we meet and how fast she answers email, "
           "and the part about what happens if one of us is unhappy with how things are going."),
    ("P1", "We signed one too, but only because the program required it, and then it went into a "
           "drawer. I could not tell you what is in it. I think a contract only works if both "
           "people actually talk about it, otherwise it is just paperwork that everybody signs and "
           "nobody reads again."),
    ("P3", "I agree with that. What helped me was not the form itself but the conversation that "
           "the form forced us to have. If the program just handed out the form and checked a box, "
           "I do not think it would have changed anything for us."),
]
