"""Is the deployed root watcher failing? Its Lambda functions, errors and dead letters in one Region.

``list-functions`` is paged in full and then reduced to the functions running rootguard's handler,
and to the fields rootguard reads (``model/watcher_health.LISTED_FIELDS``): the listing prints every
function's environment variables, which are not ours to store. Then, per watcher, the Sum of
``AWS/Lambda`` ``Errors`` over the 24 hours before now (hourly datapoints) and the visible messages of
its SQS dead-letter queue, read in the queue's Region and stored in the function's. Every call is
Region-level evidence: a refusal becomes its error document.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from rootguard.collect.aws import call, error_fields, paginate
from rootguard.model.gaps import MalformedEvidence
from rootguard.model.operations import DEAD_LETTER_DEPTH, LIST_FUNCTIONS, WATCHER_ERRORS
from rootguard.model.watcher_health import DEPTH_ATTRIBUTE, watcher_listing, watchers_from_document

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch.client import CloudWatchClient
    from mypy_boto3_lambda.client import LambdaClient
    from mypy_boto3_sqs.client import SQSClient

ERRORS_WINDOW = timedelta(hours=24)
ERRORS_PERIOD = 3600


def watcher_documents(
    functions: LambdaClient,
    cloudwatch: CloudWatchClient,
    sqs: Callable[[str], SQSClient],
    account_id: str,
    region: str,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Bundle path → document: the Region's watcher listing, each watcher's errors and dead letters.

    ``sqs``: the SQS client of a Region (a dead-letter queue lives where its ARN says).
    """
    listed = paginate(functions.get_paginator("list_functions"), regional=True)
    if error_fields(listed) is None:
        listed = watcher_listing(listed)
    documents: dict[str, Any] = {LIST_FUNCTIONS.path(account_id, region): listed}
    if error_fields(listed) is not None:
        return documents
    end = (now or datetime.now(UTC)).replace(microsecond=0)
    try:
        watchers = watchers_from_document(listed)
    except MalformedEvidence:  # stored as listed: the evidence reader reports it
        return documents
    for function in watchers:
        documents[WATCHER_ERRORS.path(account_id, region, function.name)] = call(
            cloudwatch.get_metric_statistics,
            regional=True,
            Namespace="AWS/Lambda",
            MetricName="Errors",
            Dimensions=[{"Name": "FunctionName", "Value": function.name}],
            StartTime=end - ERRORS_WINDOW,
            EndTime=end,
            Period=ERRORS_PERIOD,
            Statistics=["Sum"],
        )
        queue = function.dead_letter_queue
        if queue is None:
            continue
        queue_region, owner, name = queue
        client = sqs(queue_region)
        documents[DEAD_LETTER_DEPTH.path(account_id, region, name)] = call(
            client.get_queue_attributes,
            regional=True,
            QueueUrl=f"{client.meta.endpoint_url}/{owner}/{name}",
            AttributeNames=[DEPTH_ATTRIBUTE],
        )
    return documents
