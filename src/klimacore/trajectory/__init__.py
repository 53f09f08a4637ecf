"""Paris-aligned trajectories (work in progress)."""
from klimacore.trajectory.paths import (
    budget_path,
    budget_ratio,
    constant_rate_path,
    linear_path,
    reduction_fraction,
    reference_path,
)
from klimacore.trajectory.references import (
    DEFAULT_REFERENCES,
    GHG_BASKET,
    Milestone,
    Reference,
    Source,
    allocate_budget,
    get_reference,
    global_total,
    grandfathering_share,
    list_references,
    population_share,
    reference_table,
    resolve_references,
)
from klimacore.trajectory.checks import (
    AT_RISK,
    NO_DATA,
    OFF_TRACK,
    ON_TRACK,
    SEVERITY,
    STATUS_LABELS,
    Thresholds,
    TrajectoryCheck,
    as_emissions,
    check_trajectory,
)
