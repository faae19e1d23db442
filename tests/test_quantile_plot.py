"""Figure 1 shows every variable: sorted values for numeric ones, counts for categorical ones."""

import numpy as np
import pandas as pd

from multilevel.plots.quantile import uniform_quantile_figure


def test_panels_show_the_data():
    frame = pd.DataFrame(
        {"x": [3.0, 1.0, 2.0, 5.0], "g": ["b", "a", "b", "b"], "n": [10, 40, 20, 30]}
    )
    fig = uniform_quantile_figure(frame, ["x", "g", "n"], ncols=2)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in visible] == ["x", "g", "n"]
    xs, ys = visible[0].lines[0].get_data()
    assert np.allclose(ys, [1.0, 2.0, 3.0, 5.0])
    assert np.allclose(xs, [0.125, 0.375, 0.625, 0.875])
    # median line at 2.5 on the numeric panel
    assert any(np.allclose(line.get_ydata(), 2.5) for line in visible[0].lines[1:])
    bars = {
        t.get_text(): p.get_width()
        for t, p in zip(visible[1].get_yticklabels(), visible[1].patches)
    }
    assert bars == {"a": 1, "b": 3}
    assert not fig.axes[3].get_visible()
