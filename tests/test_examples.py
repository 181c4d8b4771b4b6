"""Every seed-guide example runs and prints what its section promises."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, 'examples')


def run(name: str) -> str:
    proc = subprocess.run([sys.executable, os.path.join(EXAMPLES, name)], capture_output=True,
                          text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_quickstart_prints_a_prediction_near_9():
    out = run('quickstart.py')
    assert out.startswith('Tensor\n     [[')
    value = float(out.split('[[')[1].split(']')[0])
    assert 8.5 < value < 9.5


@pytest.mark.parametrize('name,expected', [
    ('config_objects_and_kwargs.py', 'trained with both styles'),
    ('async_fit.py', 'model.fit in sync code: [0, 1, 2]'),
    ('tensors_without_numpy.py', '[[20, 23],'),
    ('factory_methods.py', 'BatchNormalization batch_normalization_BatchNormalization1 1'),
    ('camelcase_strings.py', 'hard_sigmoid'),
    ('apply_symbolic_and_eager.py', '[None, 8]'),
    ('train_optimizers.py', "SGD {'learningRate': 0.2}"),
    ('save_load.py', "['model.json', 'weights.bin']"),
    ('fit_dataset.py', 'epochs run: [0, 1, 2, 3, 4]'),
    ('dispose.py', 'tensors after dispose: 0'),
])
def test_example_runs(name, expected):
    assert expected in run(name)


def test_async_fit_yields_to_the_event_loop():
    out = run('async_fit.py')
    ticks = int(out.split('ran other work ')[1].split(' ')[0])
    assert ticks >= 100
