"""Fit a logistic regression on a synthetic churn frame and return its held-out accuracy."""

import os

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split


def frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(int(os.environ.get("SKLEARN_SEED", "0")))
    tenure = rng.integers(1, 72, rows)
    charges = rng.normal(70, 20, rows)
    churned = (charges / tenure + rng.normal(0, 0.5, rows)) > 2
    return pd.DataFrame({"tenure": tenure, "charges": charges, "churned": churned})


def fit_and_score(rows: int) -> float:
    data = frame(rows)
    x_train, x_test, y_train, y_test = train_test_split(
        data[["tenure", "charges"]], data["churned"], random_state=0
    )
    model = LogisticRegression().fit(x_train, y_train)
    return float(model.score(x_test, y_test))
