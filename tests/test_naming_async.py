"""The naming rules (TF.js's toSnakeCase / toCamelCase) and the one async mechanism."""
import asyncio

import pytest

from tfjs._async import YIELD, Promise, promising, resolved
from tfjs._naming import normalize_args, to_camel_case, to_snake_case


@pytest.mark.parametrize('camel,snake', [
    ('batchInputShape', 'batch_input_shape'), ('kernelInitializer', 'kernel_initializer'),
    ('channelsLast', 'channels_last'), ('fanAvg', 'fan_avg'), ('hardSigmoid', 'hard_sigmoid'),
    ('TensorFlow.js', 'tensor_flow.js'), ('beta1', 'beta1'), ('Dense', 'dense')])
def test_to_snake_case(camel, snake):
    assert to_snake_case(camel) == snake


@pytest.mark.parametrize('snake,camel', [
    ('batch_input_shape', 'batchInputShape'), ('beta_1', 'beta1'), ('fan_avg', 'fanAvg'),
    ('gelu_new', 'geluNew'), ('relu', 'relu'), ('x', 'x')])
def test_to_camel_case(snake, camel):
    assert to_camel_case(snake) == camel


def test_normalize_args_merges_and_validates():
    assert normalize_args({'units': 1}, {'input_shape': [2]}, ['units', 'inputShape']) == \
        {'units': 1, 'inputShape': [2]}
    with pytest.raises(ValueError, match='both in the config object and as a keyword'):
        normalize_args({'units': 1}, {'units': 2}, ['units'])
    with pytest.raises(ValueError, match='config object'):
        normalize_args([1], {}, ['units'])


def job(values):
    for v in values:
        yield YIELD
    got = yield _double(len(values))
    return got


async def _double(n):
    await asyncio.sleep(0)
    return 2 * n


def test_promising_is_sync_in_plain_code_and_a_promise_in_a_loop():
    run = promising(job)
    assert run([1, 2, 3]) == 6

    async def main():
        p = run([1])
        assert isinstance(p, Promise)
        chained = await p.then(lambda v: v + 1)
        return await p, chained, await resolved('x')

    assert asyncio.run(main()) == (2, 3, 'x')
    assert resolved(5) == 5


def test_promise_catch():
    def failing():
        yield YIELD
        raise KeyError('boom')

    async def main():
        return await promising(failing)().catch(lambda e: type(e).__name__)

    assert asyncio.run(main()) == 'KeyError'


def test_a_job_may_catch_an_awaited_error_and_go_on():
    async def fails():
        raise KeyError('x')

    def job():
        try:
            yield fails()
        except KeyError:
            pass
        value = yield _double(2)
        yield YIELD
        return value

    assert promising(job)() == 4
    assert asyncio.run(_await(promising(job))) == 4


async def _await(fn):
    return await fn()
