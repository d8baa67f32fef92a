"""Score a customer: a pydantic request model in, a risk band out."""

import os

from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI(title=os.environ.get("SERVICE_BANNER", "scoring"))


class Customer(BaseModel):
    tenure_months: int = Field(ge=0)
    monthly_charges: float = Field(gt=0)


class Score(BaseModel):
    risk: float
    band: str


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok", "banner": app.title}


@app.post("/score")
def score(customer: Customer) -> Score:
    risk = min(1.0, customer.monthly_charges / (customer.tenure_months + 1) / 10)
    return Score(risk=round(risk, 3), band="high" if risk > 0.5 else "low")
