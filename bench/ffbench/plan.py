"""What a run measures, and for how long: the full suite and the --quick one."""

KiB = 1024
MiB = 1024 * 1024

MODES = ("fastpath", "lowcpu", "adaptive")
BW_OPS = (("send", "ib_send_bw"), ("write", "ib_write_bw"), ("read", "ib_read_bw"))
LAT_OPS = (("send", "ib_send_lat"), ("write", "ib_write_lat"), ("read", "ib_read_lat"))
DUEL_MODES = ("fastpath", "adaptive")
# First contact (ffbench/first.py): perftest with its default flags, as a person first runs it,
# in the router's default mode (whatever it starts in, unset by the bench) and then in fastpath
FIRST_TOOLS = (("send", "ib_send_bw"), ("write", "ib_write_bw"), ("read", "ib_read_bw"), ("send", "ib_send_lat"))
FIRST_PHASES = ("default", "fastpath")


class Plan:
    def __init__(self, quick):
        self.quick = quick
        if quick:
            self.bw_sizes = [2 * KiB, 64 * KiB, 1 * MiB]
            self.lat_sizes = [2, 64, 4 * KiB]
            self.bw_duration, self.bw_margin = 2, 0      # perftest -D / -f: all 2 s measured
            self.bw_reps = 1                             # runs per size (the median is reported)
            self.lat_iters, self.lat_discard = 10000, 1000
            self.hosts_lat_iters = 2000                  # between hosts: a round trip is ~100x longer
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
            self.first_bw_duration = 2                   # s of the -D steady state beside the default runs
            self.first_lat_iters = 20000                 # the steady-state latency: a long -n run
            self.first_write_runs = 1                    # ib_write_bw 1 MiB x 3000 per mode (median)
            self.regmr_sizes_mib = [1, 64]
            self.regmr_reps = 3
            self.control_count = 100                     # ff_control_rate calls of each verb per container
            self.control_attaches = 10
            self.control_three_routers = False           # a 3-host lab: a minute more
        else:
            self.bw_sizes = [2 * KiB << i for i in range(10)]  # 2 KiB ... 1 MiB
            self.lat_sizes = [2, 64, 256, 1 * KiB, 4 * KiB]
            self.bw_duration, self.bw_margin = 2, 0      # after the warm-up step the JIT is done
            self.bw_reps = 3                             # the scheduler of 2 cores is noisy
            self.lat_iters, self.lat_discard = 100000, 10000
            self.hosts_lat_iters = 10000
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
            self.first_bw_duration = 5
            self.first_lat_iters = 100000
            self.first_write_runs = 3
            self.regmr_sizes_mib = [1, 16, 256]
            self.regmr_reps = 5
            self.control_count = 300
            self.control_attaches = 50
            self.control_three_routers = True
        self.idle_settle = 2  # s between the QPs' last work and the idle window (adaptive backs off)
        self.cpu_size = 1 * MiB
        self.mode_lat_size = 2
        # fastpath and adaptive 2 B latency, measured in turns this many times each: on two
        # busy cores one run's median moves by ±20 % with where the scheduler puts the three
        # spinning threads, so the adaptive target compares medians of interleaved runs
        self.duel_runs = 1 if quick else 3
        self.memcpy_sizes = [1 * MiB, 256 * MiB]
        # default-flag runs of each first-contact tool per mode; the worst is judged
        self.first_runs = 3
        self.first_write_size, self.first_write_iters = 1 * MiB, 3000

    @property
    def name(self):
        return "quick" if self.quick else "full"

    cpu_lead = 1.0  # s from the client's start to the CPU window (connection, ramp-up)

    def cpu_duration(self):
        """perftest -D for a CPU measurement: the lead, the window, 1 s of slack."""
        return int(self.cpu_lead + self.cpu_window + 1 + 0.999)
