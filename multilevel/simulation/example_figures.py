"""The document's figures of its simulated school (pages 91-100): which figure, on which page,
in which space, with which elements drawn and under which title. The figures are drawn by
:mod:`multilevel.plots.simulation`; the report's listing of them (:mod:`.example_artifacts`)
needs only this table, without matplotlib."""

# key: (document figure, page, space, the elements drawn, title)
EXAMPLE_FIGURES = {
    "sim_fig08": (8, 91, "data", ("mean",), "The population mean line γ"),
    "sim_fig09": (9, 92, "data", ("mean", "true"), "The true line of school 1: β₁ = γ + u₁"),
    "sim_fig10": (10, 93, "data", ("mean", "true", "data"), "School 1's data"),
    "sim_fig11": (
        11,
        94,
        "data",
        ("mean", "true", "data", "ls"),
        "School 1: true and least-squares lines",
    ),
    "sim_fig12": (12, 95, "beta", ("gamma",), "The mean line γ as a point in beta space"),
    "sim_fig13": (13, 96, "beta", ("gamma", "G"), "The dispersion ellipse of G around γ"),
    "sim_fig14": (
        14,
        97,
        "beta",
        ("gamma", "G", "beta"),
        "A random true coefficient β₁ from the population",
    ),
    "sim_fig15": (
        15,
        98,
        "beta",
        ("gamma", "G", "beta", "sampling"),
        "The ellipse σ²(X₁′X₁)⁻¹ around β₁",
    ),
    "sim_fig16": (
        16,
        99,
        "beta",
        ("gamma", "G", "beta", "sampling", "beta_hat"),
        "The observed estimate β̂₁",
    ),
    "sim_fig17": (
        17,
        100,
        "beta",
        ("gamma", "G", "beta", "sampling", "beta_hat", "V"),
        "The ellipse of V₁ = G + σ²(X₁′X₁)⁻¹ around γ",
    ),
}
