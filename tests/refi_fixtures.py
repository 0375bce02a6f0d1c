"""Hand-made REFI-QDA files, written the way the standard describes (as another program would).

``write_qdpx(path, ...)`` zips a ``project.qde`` built from the pieces below with
its source texts; the defaults make a valid two-source project with UTF-8
accents and emoji.  Tests change one piece to make a broken file.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

SOURCE_GUID = "6F3C2A10-0000-4000-8000-000000000001"
INLINE_GUID = "6F3C2A10-0000-4000-8000-000000000002"
ANA = "{A1A1A1A1-0000-4000-8000-00000000000A}"
BO = "b0b0b0b0-0000-4000-8000-00000000000b"
CODE_WELL = "C0DE0000-0000-4000-8000-000000000001"
CODE_JOY = "C0DE0000-0000-4000-8000-000000000002"
CODE_WORRY = "C0DE0000-0000-4000-8000-000000000003"
VAR_ROLE = "7A700000-0000-4000-8000-000000000001"
VAR_SITE = "7A700000-0000-4000-8000-000000000002"

#: the text of the main source: labelled turns, accents and emoji (two before "très")
TEXT = ("Entrevue du 3 mai\n"
        "Modératrice: Bonjour 👋 à toutes et à tous.\n"
        "Zoë: J'étais très contente 😀 de mon mentor, vraiment.\n"
        "Maëlle: Moi, j'avais peur 😟 de lui parler de mes résultats.\n"
        "Zoë: Ça a changé après notre accord écrit.\n")
INLINE = "Note de terrain: la salle était froide ❄️ mais l'ambiance chaleureuse."


def cp(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


def u16(text: str, needle: str) -> tuple[int, int]:
    start, end = cp(text, needle)
    units = lambda s: len(s.encode("utf-16-le")) // 2  # noqa: E731
    return units(text[:start]), units(text[:end])


def selection(guid: str, span: tuple[int, int], *codings: tuple[str, str, str]) -> str:
    inner = "".join(f'<Coding guid="{g}" creatingUser="{user}"><CodeRef targetGUID="{code}"/></Coding>'
                    for g, code, user in codings)
    return (f'<PlainTextSelection guid="{guid}" name="" startPosition="{span[0]}" '
            f'endPosition="{span[1]}" creatingUser="{ANA}">{inner}</PlainTextSelection>')


def default_selections(count=cp) -> str:
    return "\n".join([
        selection("5E100000-0000-4000-8000-000000000001", count(TEXT, "très contente 😀 de mon mentor"),
                  ("C0D10000-0000-4000-8000-000000000001", CODE_JOY, ANA),
                  ("C0D10000-0000-4000-8000-000000000002", CODE_JOY, BO)),
        selection("5E100000-0000-4000-8000-000000000002", count(TEXT, "j'avais peur 😟 de lui parler"),
                  ("C0D10000-0000-4000-8000-000000000003", CODE_WORRY, ANA)),
        selection("5E100000-0000-4000-8000-000000000003", count(TEXT, "accord écrit"),
                  ("C0D10000-0000-4000-8000-000000000004", CODE_WELL, BO)),
    ])


def project_xml(selections: str | None = None, codes: str | None = None, users: str | None = None,
                plain_path: str = f"internal://{SOURCE_GUID}.txt") -> str:
    users = users if users is not None else (
        f'<User guid="{ANA}" name="Ana Lima"/><User guid="{BO}" name="Bo Chen"/>')
    codes = codes if codes is not None else (
        f'<Code guid="{CODE_WELL}" name="Bien-être" isCodable="true" color="#33AA55">'
        f'<Description>Comment les doctorant·e·s se sentent.</Description>'
        f'<Code guid="{CODE_JOY}" name="Joie 😀" isCodable="true"/>'
        f'<Code guid="{CODE_WORRY}" name="Inquiétude" isCodable="true">'
        f'<Description>Peur, stress, doute.</Description></Code></Code>')
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Étude pilote" origin="Handmade 1.0">
<Users>{users}</Users>
<CodeBook><Codes>{codes}</Codes></CodeBook>
<Variables>
<Variable guid="{VAR_ROLE}" name="Role" typeOfVariable="Text"/>
<Variable guid="{VAR_SITE}" name="Site" typeOfVariable="Text"/>
</Variables>
<Cases>
<Case guid="CA5E0000-0000-4000-8000-000000000001" name="Groupe Québec">
<VariableValue><VariableRef targetGUID="{VAR_SITE}"/><TextValue>Québec</TextValue></VariableValue>
<SourceRef targetGUID="{SOURCE_GUID}"/>
</Case>
</Cases>
<Sources>
<TextSource guid="{SOURCE_GUID}" name="entrevue_zoë" plainTextPath="{plain_path}">
{selections if selections is not None else default_selections()}
<VariableValue><VariableRef targetGUID="{VAR_ROLE}"/><TextValue>Scholar</TextValue></VariableValue>
</TextSource>
<TextSource guid="{INLINE_GUID}" name="note de terrain">
<PlainTextContent>{INLINE}</PlainTextContent>
<PlainTextSelection guid="5E100000-0000-4000-8000-000000000009" startPosition="{cp(INLINE, 'froide ❄️')[0]}" endPosition="{cp(INLINE, 'froide ❄️')[1]}" creatingUser="{BO}">
<Coding guid="C0D10000-0000-4000-8000-000000000009" creatingUser="{BO}"><CodeRef targetGUID="{CODE_WELL}"/></Coding>
</PlainTextSelection>
</TextSource>
<PictureSource guid="91C00000-0000-4000-8000-000000000001" name="photo" path="internal://photo.jpg"/>
</Sources>
</Project>
"""


def write_qdpx(path: Path, xml: str | None = None, sources: dict[str, str] | None = None,
               entry: str = "project.qde") -> Path:
    files = {f"sources/{SOURCE_GUID}.txt": TEXT} if sources is None else sources
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(entry, (xml if xml is not None else project_xml()).encode("utf-8"))
        for name, text in files.items():
            zf.writestr(name, text.encode("utf-8"))
    return path
