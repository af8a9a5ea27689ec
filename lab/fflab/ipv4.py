"""IPv4 arithmetic and the choice of a lab's fabric subnet (pure: the caller passes the
networks in use)."""

import re

from fflab.errors import LabError

_DOTTED = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
DEFAULT_SUBNET_PREFIX = "10.97"  # the first free 10.97.X.0/24


def is_uint(text):
    return bool(re.fullmatch(r"[0-9]+", text or ""))


def valid_ipv4(text):
    if not _DOTTED.fullmatch(text or ""):
        return False
    return all(int(octet) <= 255 for octet in text.split("."))


def to_int(address):
    a, b, c, d = (int(o) for o in address.split("."))
    return (a << 24) | (b << 16) | (c << 8) | d


def to_dotted(value):
    return "%d.%d.%d.%d" % ((value >> 24) & 255, (value >> 16) & 255, (value >> 8) & 255, value & 255)


def prefix_mask(prefix):
    """The netmask of a /PREFIX as an integer."""
    return 0 if prefix == 0 else (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF


def overlaps(cidr_a, cidr_b):
    """Do the networks A/N and B/M share an address?"""
    a, n = cidr_a.split("/")
    b, m = cidr_b.split("/")
    mask = prefix_mask(min(int(n), int(m)))
    return to_int(a) & mask == to_int(b) & mask


class Subnet:
    """A fabric subnet: the root namespace has its first address, host hN the (N+1)th."""

    def __init__(self, base, prefix):
        self.base = base & prefix_mask(prefix)
        self.prefix = prefix

    @property
    def size(self):
        return 1 << (32 - self.prefix)

    @property
    def cidr(self):
        return "%s/%d" % (to_dotted(self.base), self.prefix)

    @property
    def root_address(self):
        return to_dotted(self.base + 1)

    def host_address(self, index):
        return to_dotted(self.base + 1 + index)

    def fits(self, hosts):
        return hosts + 2 < self.size

    def __eq__(self, other):
        return isinstance(other, Subnet) and (self.base, self.prefix) == (other.base, other.prefix)

    def __repr__(self):
        return "Subnet(%s)" % self.cidr


def parse_subnet(text):
    """A.B.C.D/N with 8 <= N <= 29, or LabError."""
    net, slash, prefix = text.partition("/")
    if not (slash and valid_ipv4(net) and is_uint(prefix) and 8 <= int(prefix) <= 29):
        raise LabError("bad --subnet '%s' (want A.B.C.D/N with 8 <= N <= 29)" % text)
    return Subnet(to_int(net), int(prefix))


def in_use(cidr, networks):
    """Is an address of NETWORKS (A.B.C.D/N strings) inside CIDR, or CIDR inside one?"""
    return any(overlaps(cidr, n) for n in networks if n)


def choose_subnet(requested, hosts, networks):
    """The fabric subnet: REQUESTED (a CIDR or empty), else the first 10.97.X.0/24 that
    no address of NETWORKS touches; it must hold the root address and HOSTS hosts."""
    if requested:
        subnet = parse_subnet(requested)
        if in_use(requested, networks):
            raise LabError("subnet %s is in use by an interface of this machine" % requested)
    else:
        subnet = None
        for x in range(256):
            cidr = "%s.%d.0/24" % (DEFAULT_SUBNET_PREFIX, x)
            if not in_use(cidr, networks):
                subnet = Subnet(to_int("%s.%d.0" % (DEFAULT_SUBNET_PREFIX, x)), 24)
                break
        if subnet is None:
            raise LabError("no free 10.97.X.0/24; choose one with --subnet")
        requested = subnet.cidr
    if not subnet.fits(hosts):
        raise LabError("subnet %s is too small for %d host(s)" % (requested, hosts))
    return subnet
