"""The training flow: fine-tune the stance classifier and write its artefact."""

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from pipeline.stance.config import TrainConfig
from pipeline.stance.training import train_stance_model


@task(name="train-stance-model", cache_policy=NO_CACHE)
def train_task(config: TrainConfig) -> dict:
    logger = get_run_logger()
    return train_stance_model(config, log=logger.info)


@flow(name="stance-train", validate_parameters=False)
def train_flow(config: TrainConfig | None = None) -> dict:
    return train_task(config or TrainConfig())
