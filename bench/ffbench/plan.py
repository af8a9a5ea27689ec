"""What a run measures, and for how long: the full suite and the --quick one."""

KiB = 1024
MiB = 1024 * 1024

MODES = ("fastpath", "lowcpu", "adaptive")
BW_OPS = (("send", "ib_send_bw"), ("write", "ib_write_bw"), ("read", "ib_read_bw"))
LAT_OPS = (("send", "ib_send_lat"), ("write", "ib_write_lat"), ("read", "ib_read_lat"))
DUEL_MODES = ("fastpath", "adaptive")


class Plan:
    def __init__(self, quick):
        self.quick = quick
        if quick:
            self.bw_sizes = [2 * KiB, 64 * KiB, 1 * MiB]
            self.lat_sizes = [2, 64, 4 * KiB]
            self.bw_duration, self.bw_margin = 2, 0      # perftest -D / -f: all 2 s measured
            self.bw_reps = 1                             # runs per size (the median is reported)
            self.lat_iters, self.lat_discard = 10000, 1000
            self.warmup_duration = 1
            self.memcpy_seconds = 0.5
            self.iperf_seconds = 2
            self.sockperf_seconds = 1
            self.ucx_lat_iters, self.ucx_bw_bytes = 100000, 2 * 1024 * MiB
            self.cpu_window = 2                          # s of CPU sampling at full throughput
            self.idle_window = 2                         # s of CPU sampling of an idle router
            self.settle = 0.5                            # s after a mode change / QPs connected
            self.mode_wait = 3                           # s to wait for the router to log a mode
            self.cpu_tests = (("send", "ib_send_bw"),)
        else:
            self.bw_sizes = [2 * KiB << i for i in range(10)]  # 2 KiB ... 1 MiB
            self.lat_sizes = [2, 64, 256, 1 * KiB, 4 * KiB]
            self.bw_duration, self.bw_margin = 2, 0      # after the warm-up step the JIT is done
            self.bw_reps = 3                             # the scheduler of 2 cores is noisy
            self.lat_iters, self.lat_discard = 100000, 10000
            self.warmup_duration = 4
            self.memcpy_seconds = 2
            self.iperf_seconds = 5
            self.sockperf_seconds = 4
            self.ucx_lat_iters, self.ucx_bw_bytes = 1000000, 16 * 1024 * MiB
            self.cpu_window = 5
            self.idle_window = 5
            self.settle = 2
            self.mode_wait = 5
            self.cpu_tests = (("send", "ib_send_bw"), ("write", "ib_write_bw"))
        self.idle_settle = 2  # s between the QPs' last work and the idle window (adaptive backs off)
        self.cpu_size = 1 * MiB
        self.mode_lat_size = 2
        # fastpath and adaptive 2 B latency, measured in turns this many times each: on two
        # busy cores one run's median moves by ±20 % with where the scheduler puts the three
        # spinning threads, so the adaptive target compares medians of interleaved runs
        self.duel_runs = 1 if quick else 3
        self.memcpy_sizes = [1 * MiB, 256 * MiB]

    @property
    def name(self):
        return "quick" if self.quick else "full"

    cpu_lead = 1.0  # s from the client's start to the CPU window (connection, ramp-up)

    def cpu_duration(self):
        """perftest -D for a CPU measurement: the lead, the window, 1 s of slack."""
        return int(self.cpu_lead + self.cpu_window + 1 + 0.999)
