"""Run the benchmark: python benchmarks/run.py --sizes 1e5,1e6 (see qcbench/command.py)."""

from qcbench.command import bench

if __name__ == "__main__":
    bench(prog_name="python benchmarks/run.py")
