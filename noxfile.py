"""Sessions of the compendium. `nox -l` lists them; `nox -s NAME` runs one.

Every session installs the exact versions pinned in uv.lock (uv sync --frozen).
Sessions that take a cohort accept `-- --data-raw DIR` (default: data-raw/).
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "uv"
nox.options.sessions = ["tests"]
nox.options.reuse_venv = "yes"


def install(session: nox.Session, *groups: str) -> None:
    """Install the project and the given dependency groups from the lock file, compiled to
    bytecode: uv does not compile at install, and where PYTHONDONTWRITEBYTECODE is set (as on
    the CI machines) every process would compile pandas, scipy and matplotlib again, about
    3.5 s of each start."""
    session.run_install(
        "uv", "sync", "--frozen", "--no-default-groups", "--compile-bytecode",
        *(f"--group={g}" for g in groups),
        f"--python={session.virtualenv.location}",
        env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location},
        silent=True,
    )


def cohort_args(session: nox.Session) -> list[str]:
    """The `--data-raw DIR` pair from the session's arguments, if given."""
    args = list(session.posargs)
    if "--data-raw" in args:
        i = args.index("--data-raw")
        return args[i: i + 2]
    return []


@nox.session
def derive(session: nox.Session) -> None:
    """Validate the raw sheets and write the derived tables."""
    install(session)
    session.run("python", "-m", "analysis.derive", *session.posargs)


@nox.session
def render(session: nox.Session) -> None:
    """Derive, then render paper and supplement (HTML, PDF, DOCX, JATS) and the paper's MECA bundle."""
    install(session)
    session.run("python", "-m", "analysis.derive", *cohort_args(session))
    session.run("python", "-m", "analysis.publish", *session.posargs)


@nox.session
def verify(session: nox.Session) -> None:
    """Recompute every published number, compare, and audit the article."""
    install(session)
    session.run("python", "-m", "analysis.verify", *session.posargs)


@nox.session
def trace(session: nox.Session) -> None:
    """One published number followed back to the raw cells: `nox -s trace -- CLAIM_ID`."""
    install(session)
    session.run("python", "-m", "analysis.trace", *session.posargs)


@nox.session
def synth(session: nox.Session) -> None:
    """Write a synthetic cohort: `nox -s synth -- --n N --seed S --out DIR`."""
    install(session)
    session.run("python", "tools/synth.py", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Time validation, derivation and analysis for 5 to 50,000 synthetic patients."""
    install(session)
    session.run("python", "benchmarks/bench.py", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite."""
    install(session, "test")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Check the code with ruff."""
    install(session, "lint")
    session.run("ruff", "check", ".")


@nox.session
def citation(session: nox.Session) -> None:
    """Validate CITATION.cff against the Citation File Format schema."""
    session.install("cffconvert==2.0.0")
    session.run("cffconvert", "--validate")


@nox.session
def template(session: nox.Session) -> None:
    """Write a workbook to fill in (from the dictionary): `nox -s template -- --out FILE.xlsx`."""
    install(session)
    session.run("python", "-m", "analysis.sheets.template", *session.posargs)
