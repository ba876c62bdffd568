"""AIIndustry with a minimal Mesa DataCollector, so `mesa.batch_run` can run it (used by
bench_sweep.py, case d). Run as a script it batch-runs seeds 0..N-1 on P processes:

    python benchmarks/_batch_model.py N [P]

and prints the number of rows batch_run returned.
"""

from __future__ import annotations

import sys

import mesa

from sim.model import AIIndustry


class BatchModel(AIIndustry):
    """AIIndustry plus a DataCollector with two model reporters, collected at the end of
    __init__ and of each step (as Mesa models usually do)."""

    datacollector = None  # replaces AIIndustry's (its recorder) with a plain DataCollector

    def __init__(self, seed: int = 0):
        super().__init__(seed=seed)
        self.datacollector = mesa.DataCollector(model_reporters={
            "frontier_capability": lambda m: m.frontier()[0],
            "leader": lambda m: m.frontier()[1].name if m.frontier()[1] else "",
        })
        self.datacollector.collect(self)

    def step(self) -> None:
        super().step()
        self.datacollector.collect(self)


if __name__ == "__main__":
    # Import the class by module name (not __main__) so spawned workers unpickle it cleanly.
    from _batch_model import BatchModel as Model

    n = int(sys.argv[1])
    processes = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    rows = mesa.batch_run(Model, parameters={"seed": list(range(n))}, iterations=1,
                          number_processes=processes, data_collection_period=-1,
                          display_progress=False)
    print(f"batch_run rows: {len(rows)}")
