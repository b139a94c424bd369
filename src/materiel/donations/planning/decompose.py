"""Turn a flow on the network back into (pledge, requirement) units."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from materiel.donations.planning.flownet import DIRECT, PAIR, FlowNet, IntArray


def decompose(net: FlowNet, flows: IntArray) -> dict[tuple[int, int], int]:
    """Units per (pledge, requirement) carried by `flows` (pairing and kept arcs)."""
    pairs: dict[tuple[int, int], int] = defaultdict(int)
    used = np.flatnonzero(((net.kind == PAIR) | (net.kind == DIRECT)) & (flows > 0))
    for p, r, units in zip(
        net.a[used].tolist(), net.b[used].tolist(), flows[used].tolist(), strict=True
    ):
        pairs[(p, r)] += units
    return dict(pairs)
