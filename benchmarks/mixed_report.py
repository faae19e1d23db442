"""Tables and targets of bench_mixed.py: one markdown table per shape (printed, and written
with the raw results as JSON) and the targets of issue 12 beside the figures, as PASS/MISS."""

from __future__ import annotations

import json
from pathlib import Path

MEMORY_TARGET = 3.0  # tracemalloc peak of our fit / bytes of the input columns
MIB = 2**20


def seconds(s: float) -> str:
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def mib(kib: float | None) -> str:
    return "-" if kib is None else f"{kib / 1024:.0f}"


def cell(text: str) -> str:
    """Text made safe inside a markdown table cell."""
    return text.replace("|", "\\|")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def ours_of(shape: dict) -> dict | None:
    return next((p for p in shape["peers"] if p["peer"] == "ours" and p["status"] == "ok"), None)


def peer_row(p: dict, ours: dict | None, timeout_s: float) -> str:
    name = p["peer"] + (f" {p['version']}" if p.get("version") else "")
    if p["status"] == "timeout":
        return f"| {name} | > {timeout_s:.0f} s | | | | | | | |"
    if p["status"] != "ok":
        return f"| {name} | {p['status']}: {cell(p.get('error', ''))} | | | | | | | |"
    ratio = dllf = "-"
    if ours is not None:
        ratio = f"{p['fit_s'] / ours['fit_s']:.2f}"
        dllf = "0" if p is ours else f"{p['llf'] - ours['llf']:+.2e}"
    growth = (
        "-"
        if p["fit_peak_rss_kib"] is None
        else mib(p["fit_peak_rss_kib"] - p["rss_before_fit_kib"])
    )
    note = cell(p.get("note", ""))
    converged = "yes" if p["converged"] else "NO" + (f" ({note})" if note else "")
    return (
        f"| {name} | {seconds(p['fit_s'])} ({p['fits']}) | {ratio} | {dllf} | {converged} | "
        f"{seconds(p['cpu_s'])} | {seconds(p['load_s'])} | "
        f"{mib(p['peak_rss_kib'])} | {growth} |"
    )


def targets(shape: dict) -> list[tuple[str, bool, str]]:
    """The targets: (short name, met, our figure beside the target)."""
    ours = ours_of(shape)
    if ours is None:
        return []
    out = []
    done = [p for p in shape["peers"] if p["peer"] != "ours" and p["status"] == "ok"]
    if done:
        fastest = min(done, key=lambda p: p["fit_s"])
        out.append(
            (
                "fastest peer",
                ours["fit_s"] <= fastest["fit_s"],
                f"no slower than the fastest peer: ours {seconds(ours['fit_s'])}, fastest "
                f"{fastest['peer']} {seconds(fastest['fit_s'])}",
            )
        )
    if shape["time_target_s"] is not None:
        target = shape["time_target_s"]
        out.append(
            (
                f"<= {seconds(target)}",
                ours["fit_s"] <= target,
                f"time: ours {seconds(ours['fit_s'])} <= {seconds(target)}",
            )
        )
    ratio = ours["tracemalloc_peak"] / ours["input_bytes"]
    out.append(
        (
            f"memory {ratio:.1f}x",
            ratio <= MEMORY_TARGET,
            f"memory: tracemalloc peak {ours['tracemalloc_peak'] / MIB:.1f} MiB / input columns "
            f"{ours['input_bytes'] / MIB:.1f} MiB = {ratio:.2f}x <= {MEMORY_TARGET:g}x",
        )
    )
    return out


def time_cell(p: dict, ours: dict | None, timeout_s: float) -> str:
    if p["status"] == "timeout":
        return f"> {timeout_s:.0f} s"
    if p["status"] != "ok":
        return p["status"]
    if p is ours or ours is None:
        return seconds(p["fit_s"])
    return f"{seconds(p['fit_s'])} ({p['fit_s'] / ours['fit_s']:.2g}x)"


def llf_cell(p: dict, ours: dict | None, timeout_s: float) -> str:
    if p["status"] != "ok" or ours is None:
        return time_cell(p, ours, timeout_s) if p["status"] != "ok" else ""
    flag = "" if p["converged"] else " (not converged)"
    return ("0" if p is ours else f"{p['llf'] - ours['llf']:+.1e}") + flag


def summary_markdown(run: dict, cell=time_cell, with_targets: bool = True) -> str:
    """One row per shape, one column per peer: `cell(peer, ours, timeout)`; then our targets."""
    timeout_s = run["meta"]["timeout_s"]
    peers = list(dict.fromkeys(p["peer"] for s in run["shapes"] for p in s["peers"]))
    columns = ["shape", *peers] + (["targets"] if with_targets else [])
    lines = ["| " + " | ".join(columns) + " |", "|---" * len(columns) + "|"]
    for shape in run["shapes"]:
        ours = ours_of(shape)
        by_peer = {p["peer"]: p for p in shape["peers"]}
        cells = [shape["title"]] + [
            cell(by_peer[n], ours, timeout_s) if n in by_peer else "" for n in peers
        ]
        if with_targets:
            cells.append(", ".join(f"{name} {verdict(ok)}" for name, ok, _ in targets(shape)))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def shape_markdown(shape: dict, timeout_s: float) -> str:
    ours = ours_of(shape)
    head = [
        f"### {shape['shape']}: {shape['title']}",
        "",
        f"`{shape['model']}`, REML",
        "",
        "| peer | fit (fits) | peer / ours | logLik - ours | converged | CPU | load | "
        "peak RSS MiB | fit's RSS growth MiB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    rows = [peer_row(p, ours, timeout_s) for p in shape["peers"]]
    marks = [f"- {text}: {verdict(ok)}" for _, ok, text in targets(shape)]
    return "\n".join(head + rows + [""] + marks) + "\n"


def report_markdown(run: dict) -> str:
    meta = run["meta"]
    intro = (
        f"Run {meta['date']} on {meta['machine']}, commit {meta['commit']}; "
        f"{meta['threads']} thread(s) for BLAS/OpenMP/Rayon/Polars in every peer; "
        f"time-out {meta['timeout_s']:.0f} s per peer and shape.\n"
    )
    shapes = "\n".join(shape_markdown(s, meta["timeout_s"]) for s in run["shapes"])
    return (
        f"{intro}\nFit time (peer / ours):\n\n{summary_markdown(run)}\n"
        f"logLik (REML) - ours:\n\n{summary_markdown(run, llf_cell, with_targets=False)}\n"
        f"{shapes}"
    )


def write(run: dict, folder: Path, stem: str) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    js, md = folder / f"{stem}.json", folder / f"{stem}.md"
    js.write_text(json.dumps(run, indent=1) + "\n")
    md.write_text(report_markdown(run))
    return js, md


if __name__ == "__main__":  # re-render a run's markdown: python mixed_report.py results/mixed.json
    import sys

    source = Path(sys.argv[1])
    source.with_suffix(".md").write_text(report_markdown(json.loads(source.read_text())))
