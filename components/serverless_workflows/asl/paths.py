"""The ways through one state machine (the definition, a Parallel branch or a Map's item
processor): which states lead where, which form loops, and the heaviest way to each end.

Graph analysis only, over the model (`serverless_workflows/asl/model.py`); what a state weighs is the
caller's (the cost estimate weighs it in transitions, requests and milliseconds). A loop
is not cut: its states weigh `rounds` times, and a path through it is followed once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, Protocol, Self, TypeVar

from serverless_workflows.asl.model import Machine, State


class Weight(Protocol):
    """What a state weighs: it adds up along a path, scales, and keeps the larger of two."""

    @property
    def transitions(self) -> float:
        """What decides which of two paths to the same state is the heavier."""
        ...

    def __add__(self, other: Self, /) -> Self: ...

    def times(self, factor: float, /) -> Self: ...

    def most(self, other: Self, /) -> Self: ...


W = TypeVar("W", bound=Weight)


@dataclass(frozen=True)
class Route(Generic[W]):
    weight: W
    states: list[str]
    """The states of the path with the most transitions; a loop's states once each."""


@dataclass(frozen=True)
class Walk(Generic[W]):
    routes: dict[str, Route[W]]
    """End state -> the heaviest way to it, in the order the states are written."""
    loops: bool
    """Whether some states lead back to themselves."""
    through_catch: bool
    """Whether no end is reached without a failure, so the ways out go through Catch."""


def reachable(start: str, edges: Mapping[str, Iterable[str]]) -> set[str]:
    """`start` and every state `edges` lead to from it."""
    seen = {start}
    frontier = [start]
    while frontier:
        for following in edges.get(frontier.pop(), ()):
            if following not in seen:
                seen.add(following)
                frontier.append(following)
    return seen


def heaviest_routes(machine: Machine, weigh: Callable[[State], W], rounds: float) -> Walk[W]:
    """The heaviest way from StartAt to each end of `machine`, whose transitions all lead to
    its states (a definition the validator accepted). Runs are taken to succeed: Catch is
    followed only when no end can be reached without it."""
    if machine.start_at is None:
        return Walk({}, loops=False, through_catch=False)
    through_catch = False
    graph = _graph(machine, machine.start_at, catch=False)
    if not any(machine.states[name].ends for name in graph):
        # Only a failure leaves this machine: the way out is through its Catch.
        through_catch = True
        graph = _graph(machine, machine.start_at, catch=True)
    weights = {name: weigh(machine.states[name]) for name in graph}
    components = _components(graph, machine.start_at)
    loops = any(_is_loop(graph, component) for component in components)
    longest = _longest(graph, components, weights, rounds)
    # Listed as the definition lists them, so that reports keep one order.
    routes = {end: longest[end] for end, state in machine.states.items() if end in longest and state.ends}
    return Walk(routes, loops=loops, through_catch=through_catch)


def _graph(machine: Machine, start: str, catch: bool) -> dict[str, list[str]]:
    """The states reachable from `start`, each with where it can go next."""
    graph: dict[str, list[str]] = {}
    waiting = [start]
    while waiting:
        name = waiting.pop()
        if name in graph:
            continue
        leads = (t.target for t in machine.states[name].transitions if catch or not t.on_error)
        graph[name] = list(dict.fromkeys(leads))
        waiting += graph[name]
    return graph


def _components(graph: dict[str, list[str]], start: str) -> list[list[str]]:
    """Strongly connected components (Tarjan's, without recursion: a definition may have
    thousands of states), each the set of states of one loop or a single state, listed
    so that every component comes after all the components that lead to it."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    work = [(start, 0)]
    while work:
        name, child = work.pop()
        if child == 0:
            index[name] = low[name] = len(index)
            stack.append(name)
            on_stack.add(name)
        following = graph[name]
        if child < len(following):
            work.append((name, child + 1))
            nxt = following[child]
            if nxt not in index:
                work.append((nxt, 0))
            elif nxt in on_stack:
                low[name] = min(low[name], index[nxt])
            continue
        if low[name] == index[name]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == name:
                    break
            found.append(component)
        if work:
            parent = work[-1][0]
            low[parent] = min(low[parent], low[name])
    found.reverse()
    order = {name: position for position, name in enumerate(graph)}
    return [sorted(component, key=order.__getitem__) for component in found]


def _is_loop(graph: dict[str, list[str]], component: list[str]) -> bool:
    return len(component) > 1 or component[0] in graph[component[0]]


def _longest(
    graph: dict[str, list[str]], components: list[list[str]], weights: dict[str, W], rounds: float
) -> dict[str, Route[W]]:
    """State -> the heaviest path from the start (the first component) to it, itself included.

    Each loop is collapsed into one step (its states x `rounds`), which leaves a graph
    without cycles, where the heaviest path is found in one pass in order."""
    where = {name: number for number, component in enumerate(components) for name in component}
    steps = []
    for component in components:
        step = weights[component[0]]
        for name in component[1:]:
            step = step + weights[name]
        steps.append(step.times(rounds) if _is_loop(graph, component) else step)
    best: dict[int, Route[W]] = {0: Route(steps[0], components[0])}
    for number, component in enumerate(components):
        here = best.get(number)
        if here is None:
            continue
        for name in component:
            for nxt in graph[name]:
                target = where[nxt]
                if target == number:
                    continue
                weight = here.weight + steps[target]
                known = best.get(target)
                if known is None:
                    best[target] = Route(weight, here.states + components[target])
                elif weight.transitions > known.weight.transitions:
                    best[target] = Route(weight.most(known.weight), here.states + components[target])
                else:
                    best[target] = Route(known.weight.most(weight), known.states)
    return {name: best[where[name]] for name in graph if where[name] in best}
