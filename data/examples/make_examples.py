"""Write the small synthetic example of README.md's "Your own data": pupils.csv (one row per
pupil) and classes.csv (one row per class). Run from the project:
python data/examples/make_examples.py

30 classes of 8 to 22 pupils in two kinds of school; a pupil's score rises with weekly hours of
study within a class (slope 1.5), and classes with more study on average score higher still (a
contextual effect); three scores are missing (written NA), and two classes of classes.csv have
no pupils, so `multilevel check` has something to say.
"""

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SEED = 20261130


def make(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    classes = pd.DataFrame({"class": [f"C{i:02d}" for i in range(1, 33)]})
    classes["school_type"] = np.where(np.arange(32) % 3 == 0, "Private", "Public")
    rows = []
    for j, (name, kind) in enumerate(classes.itertuples(index=False)):
        if j >= 30:  # the last two classes have no pupils
            break
        size = int(rng.integers(8, 23))
        class_hours = rng.normal(6 + (1 if kind == "Private" else 0), 1.2)
        intercept = rng.normal(50 + (3 if kind == "Private" else 0), 4)
        slope = rng.normal(1.5, 0.5)
        hours = np.clip(np.round(rng.normal(class_hours, 2, size) * 2) / 2, 0, None)
        score = intercept + slope * (hours - class_hours) + 2.5 * class_hours
        score = np.round(score + rng.normal(0, 6, size), 1)
        for i in range(size):
            gender = "girl" if rng.random() < 0.5 else "boy"
            rows.append((f"{name}-{i + 1:02d}", name, gender, hours[i], score[i]))
    pupils = pd.DataFrame(rows, columns=["pupil", "class", "gender", "hours", "score"])
    pupils.loc[[5, 120, 301], "score"] = np.nan
    return pupils, classes


if __name__ == "__main__":
    pupils, classes = make(np.random.default_rng(SEED))
    pupils.to_csv(HERE / "pupils.csv", index=False, na_rep="NA")
    classes.to_csv(HERE / "classes.csv", index=False)
    print(f"wrote {len(pupils)} pupils in {pupils['class'].nunique()} classes")
