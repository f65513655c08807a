"""Split a problem into independent scopes: communities joined by shared members or pins."""

from __future__ import annotations

from collections import defaultdict

from solver.model import Scope
from solver.problem import Problem


class _UnionFind:
    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        self.parent.setdefault(item, item)
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)


def shift_communities(problem: Problem) -> set[str]:
    return {s.community for s in problem.shifts}


def member_reach(problem: Problem) -> list[list[str]]:
    """Per member, the communities with shifts that member may touch (listed or pinned)."""
    active = shift_communities(problem)
    reach = [[c for c in dict.fromkeys(m.communities) if c in active] for m in problem.members]
    for pin in problem.pins:
        community = problem.shift(pin.shift).community
        m = problem.member_index[pin.member]
        if community not in reach[m]:
            reach[m].append(community)
    return reach


def community_scope(problem: Problem, communities: set[str], reach=None) -> Scope:
    reach = reach if reach is not None else member_reach(problem)
    shifts = [i for i, s in enumerate(problem.shifts) if s.community in communities]
    members = [m for m, cs in enumerate(reach) if any(c in communities for c in cs)]
    return Scope(shifts, members)


def components(problem: Problem) -> list[set[str]]:
    """Groups of communities that share no member (largest first)."""
    union = _UnionFind()
    for community in shift_communities(problem):
        union.find(community)
    for communities in member_reach(problem):
        for other in communities[1:]:
            union.union(communities[0], other)
    groups = defaultdict(set)
    for community in shift_communities(problem):
        groups[union.find(community)].add(community)
    return sorted(groups.values(), key=lambda g: (-len(g), sorted(g)))


def community_neighbours(problem: Problem) -> dict[str, set[str]]:
    neighbours = defaultdict(set)
    for communities in member_reach(problem):
        for a in communities:
            for b in communities:
                if a != b:
                    neighbours[a].add(b)
    return neighbours
