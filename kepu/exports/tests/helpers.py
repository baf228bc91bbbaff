"""URL arguments for the route × role matrix (kepu/core/tests/test_route_matrix.py)."""

from collections.abc import Callable


def matrix_kwargs(name: str) -> Callable:
    """A finished export of reporter A's: only reporter A may see and download it."""

    def kwargs(world) -> dict:
        from kepu.exports import services

        job = services.start_export_job(
            world.tree.reporter_a, kind_name="activities", params={}, fmt="csv"
        )
        services.run_export(job)
        return {"pk": job.pk}

    return kwargs
