"""Build hook: ship the top-level exercises.json and assets/ inside the package.

The library and the pictures live at the top of the repository, where people edit
them; an installed package (and the frozen app) finds them in ``sciatica_timer/data``.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent


class BuildPyWithData(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "sciatica_timer" / "data"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / "exercises.json", target / "exercises.json")
        shutil.copytree(ROOT / "assets", target / "assets", dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildPyWithData})
