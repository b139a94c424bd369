"""Small helpers on one component's flow network: supplies and what a flow delivers."""

from __future__ import annotations

from materiel.donations.planning.flownet import DIRECT, MET, PAIR, FlowNet, IntArray


def met_by_class(net: FlowNet, flows: IntArray) -> dict[int, int]:
    """Units delivered per priority class in a solution."""
    met = net.kind == MET
    return {k: int(flows[met & (net.b == k)].sum()) for k in net.class_node}


def stage_one_caps(net: FlowNet) -> tuple[IntArray, IntArray]:
    """Free class sinks: the rewards decide how much each priority gets."""
    supply = net.supply.copy()
    supply[net.spare_node] = -int(supply[: len(net.pledges)].sum())
    return supply, net.cap


def late_total(net: FlowNet, flows: IntArray) -> int:
    """Unit-days late carried by a flow (pairing and kept arcs)."""
    late_arcs = (net.kind == PAIR) | (net.kind == DIRECT)
    return int((flows[late_arcs] * net.late[late_arcs]).sum())
