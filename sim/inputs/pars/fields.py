"""The pydantic fields of a declared block: each parameter's type and bound, for the schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, Field

from sim.inputs.pars.declare import Block, Par


def schema_fields(
    block: Block, nested: Mapping[str, type[BaseModel]] | None = None
) -> dict[str, tuple[Any, Any]]:
    """(annotation, field) of each parameter of `block`, for `pydantic.create_model`.

    Args:
        block: the declarations.
        nested: the schema class of each parameter that is a nested block, by name.
    """
    return {par.name: _field(par, block.switch_defaults, nested or {}) for par in block.pars}


def _field(par: Par, with_default: bool, nested: Mapping[str, type[BaseModel]]) -> tuple[Any, Any]:
    """A parameter's annotation and field: required, unless the block fills in its defaults."""
    bounds = par.bound.constraints() if par.bound else {}
    default = par.default if with_default else ...
    if isinstance(par.kind, Block):
        return nested[par.name], Field(default)
    if par.keys is None:
        return par.kind, Field(default, **bounds)
    value = Annotated[par.kind, Field(**bounds)]
    fewest, most = par.items or (0, None)
    length = {"max_length": most} | ({"min_length": fewest} if fewest else {})
    return dict[par.keys, value], Field(default, **(length if par.items else {}))
