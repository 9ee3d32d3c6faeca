"""Build the paraloom-arkworks wheel once per source change, and install it into a tox env.

    python plugins/paraloom-arkworks/tox_wheel.py WHEEL_DIR

tox runs this in every env that uses the native backend (``commands_pre``). The wheel is
kept in WHEEL_DIR, shared by all envs, and cargo builds in ``CARGO_TARGET_DIR`` (tox sets one
under its work dir): the first env compiles arkworks (about a minute on 2 cores), the others
install the same wheel, and a change under the plugin rebuilds it incrementally. A lock file
serialises envs that ``tox -p`` runs side by side.

Without cargo, or when the build fails, the env goes on without the plugin (its tests skip),
unless PARALOOM_REQUIRE_ARKWORKS=1 (CI), where that is an error.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

PLUGIN = Path(__file__).resolve().parent
SOURCES = ("src", "python", "build.rs", "Cargo.toml", "Cargo.lock", "pyproject.toml")
REQUIRED = os.environ.get("PARALOOM_REQUIRE_ARKWORKS") == "1"
TAG = f"cp{sys.version_info.major}{sys.version_info.minor}"


def main(wheel_dir: Path) -> int:
    wheel_dir.mkdir(parents=True, exist_ok=True)
    with (wheel_dir / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        wheel = fresh_wheel(wheel_dir)
        problem = None
        if wheel is None:
            problem = build(wheel_dir)
            wheel = fresh_wheel(wheel_dir)
    if wheel is None:
        return go_on_without(problem or "the build left no wheel")
    pip("install", "--force-reinstall", "--no-deps", str(wheel))
    return 0


def fresh_wheel(wheel_dir: Path) -> Path | None:
    """This interpreter's wheel, when it is newer than every source file of the plugin."""
    wheels = sorted(wheel_dir.glob(f"paraloom_arkworks-*-{TAG}-*.whl"))
    newest_source = max(
        path.stat().st_mtime
        for name in SOURCES
        for path in [PLUGIN / name, *(PLUGIN / name).rglob("*")]
        if path.is_file()
    )
    fresh = [wheel for wheel in wheels if wheel.stat().st_mtime > newest_source]
    return fresh[-1] if fresh else None


def build(wheel_dir: Path) -> str | None:
    """Build the wheel with pip (maturin in an isolated build env); a problem, or None."""
    if shutil.which("cargo") is None:
        return "cargo is not on PATH (install a Rust toolchain, e.g. with rustup)"
    for stale in wheel_dir.glob(f"paraloom_arkworks-*-{TAG}-*.whl"):
        stale.unlink()
    command = ["wheel", "--no-deps", "--wheel-dir", str(wheel_dir), str(PLUGIN)]
    if pip(*command, check=False).returncode != 0:
        return "building the wheel failed (see above)"
    return None


def go_on_without(problem: str) -> int:
    message = f"paraloom-arkworks is not installed: {problem}"
    if REQUIRED:
        print(f"error: {message}, and PARALOOM_REQUIRE_ARKWORKS=1", file=sys.stderr)
        return 1
    print(f"warning: {message}; its tests skip", file=sys.stderr)
    pip("uninstall", "--yes", "paraloom-arkworks")
    return 0


def pip(*arguments: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "pip", *arguments], check=check)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1])))
