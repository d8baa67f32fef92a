"""Column annotations may nest: dicts and dataclasses describe struct columns; the top-level names select."""

import typing
from dataclasses import dataclass

import pandas as pd
from flytekit import kwtypes, task, workflow
from flytekit.types.structured import StructuredDataset
from typing_extensions import Annotated

rows = [
    {
        "company": "XYZ",
        "location": "London",
        "info": {"boss": "Ann", "contacts": {"tel": "1", "email": "a@x"}},
    },
    {"company": "ABC", "location": "USA", "info": {"boss": "Bob", "contacts": {"tel": "2", "email": "b@x"}}},
]


@dataclass
class Contacts:
    email: str
    tel: str


@dataclass
class Info:
    boss: str
    contacts: Contacts


@dataclass
class Company:
    location: str
    info: Info
    company: str


ByName = Annotated[StructuredDataset, kwtypes(company=str)]
ByDataclass = Annotated[StructuredDataset, Company]
ByDict = Annotated[StructuredDataset, {"company": str, "location": str}]
NestedDict = Annotated[StructuredDataset, kwtypes(info={"contacts": {"tel": str}})]


@task
def companies() -> StructuredDataset:
    return StructuredDataset(dataframe=pd.json_normalize(rows, max_level=0))


@task
def by_name(sd: ByName) -> str:
    return str(list(sd.open(pd.DataFrame).all().columns))


@task
def by_dataclass(sd: ByDataclass) -> str:
    return str(sorted(sd.open(pd.DataFrame).all().columns))


@task
def by_dict(sd: ByDict) -> str:
    return str(list(sd.open(pd.DataFrame).all()["location"]))


@task
def nested_dict(sd: NestedDict) -> str:
    return str(list(sd.open(pd.DataFrame).all().columns))


@workflow
def report() -> typing.Tuple[str, str, str, str]:
    sd = companies()
    return by_name(sd=sd), by_dataclass(sd=sd), by_dict(sd=sd), nested_dict(sd=sd)


for line in report():
    print(line)
