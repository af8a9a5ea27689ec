"""The help text of ./freeflow lab (./freeflow --help prints it after the commands)."""

LAB_USAGE = """\
Usage: ./freeflow lab [--lab NAME] SUBCOMMAND [ARGS]

Lab subcommands (every one accepts --lab NAME; default $FREEFLOW_LAB or 'ff'):
  lab up [--hosts N] [--subnet CIDR] [--timeout S] [--config PID:KEY=VALUE]...
        make hosts h1..hN, start their routers, wait until each answers 'ffctl ping' and
        its orchestrator is in one cluster of all N with its host registered.
        CIDR is the fabric subnet (default $FREEFLOW_LAB_SUBNET, else the first free
        10.97.X.0/24): the root namespace gets its first address, hN the (N+1)th.
        --config sets KEY in every host's etc/PID.cfg before its router starts (e.g.
        org.freeflow.router:dataPathSelfTestMillis=0, which only a start reads).
  lab run [--host H] --name NAME [--tenant T] -- CMD [ARGS...]
        attach container NAME to host H's router (default h1), run CMD inside it with
        LD_LIBRARY_PATH and FREEFLOW_SOCKET set, detach and remove it when CMD ends.
        Exit status: CMD's; 125 if the lab could not start the container.
  lab exec --name NAME -- CMD [ARGS...]
        run one more command in a running container (same environment).
  lab wait-port --name NAME PORT [--timeout S]
        wait until TCP PORT listens inside container NAME (default 30 s).
  lab port --name NAME down|up
        take container NAME's virtual RDMA port down (its verbs contexts get
        IBV_EVENT_PORT_ERR, its QPs no traffic) or bring it up again
  lab link hN down|up [--for MS]
                            take host hN's link to the fabric down (packets to and from
                            it are lost, nothing is reset, as a cut in the network) or up again;
                            down --for MS: up again after MS milliseconds
  lab kill-router hN        KILL host hN's router (its JVM and all its processes), as a
                            crash would; the host, its containers and the rest of the lab
                            stay, and the lab records the router as stopped
  lab start-router hN [--timeout S]
        start host hN's router again from its copy and wait as 'lab up' does: until it
        answers 'ffctl ping' and every running router sees one cluster of all of them
        with its host registered (default $FREEFLOW_LAB_TIMEOUT, else 180 s)
  lab status                hosts (a killed router: ROUTER stopped, ALIVE no), the
                            orchestrator's cluster as each router sees it, and containers
  lab inspect NAME [--json] facts of host hN or container NAME: key=value lines, or one
                            JSON object (numbers, true/false, null for no value)
  lab logs [--host H] [--lines N]
                            the tail of a host's router logs
  lab config [--host H] PID [KEY=VALUE...]
        print host H's router configuration etc/PID.cfg (default h1), or set keys in
        it; Karaf applies the change live (e.g. org.freeflow.fastpath mode=lowcpu)
  lab down                  stop the routers, remove every namespace, link, file it made

The lab's state is one JSON file, $FREEFLOW_LAB_STATE/<lab>/lab.json.
Environment: FREEFLOW_LAB, FREEFLOW_LAB_SUBNET, FREEFLOW_LAB_STATE (default
/run/freeflow-lab), FREEFLOW_ASSEMBLY (default assembly/target/assembly),
FREEFLOW_FFCTL (default native/target/bin/ffctl), FREEFLOW_LIB (default
native/target/lib), FREEFLOW_LAB_TIMEOUT (router start, default 180 s).
"""
