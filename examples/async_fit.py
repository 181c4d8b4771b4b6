"""Section "Model.fit() is asynchronous": inside an event loop, `await model.fit(...)` trains
while other tasks keep running; in plain code, `model.fit(...)` returns the History directly."""
import asyncio

import tfjs as tf


def build():
    model = tf.sequential()
    model.add(tf.layers.dense({'units': 1, 'inputShape': [1]}))
    model.compile({'optimizer': 'sgd', 'loss': 'meanSquaredError'})
    return model


xs = tf.tensor2d([[1], [2], [3], [4]], [4, 1])
ys = tf.tensor2d([[1], [3], [5], [7]], [4, 1])


async def main():
    model = build()
    ticks = 0

    async def heartbeat():
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    beat = asyncio.ensure_future(heartbeat())
    history = await model.fit(xs, ys, {'epochs': 200, 'verbose': 0, 'yieldEvery': 'epoch'})
    beat.cancel()
    print('await model.fit: final loss', round(history.history['loss'][-1], 4),
          '- the event loop ran other work', ticks, 'times meanwhile')
    # .then() works too, as with a JS Promise
    await build().fit(xs, ys, {'epochs': 3, 'verbose': 0}).then(
        lambda h: print('then():', len(h.history['loss']), 'epochs'))


asyncio.run(main())

# Synchronous code gets the History back directly.
history = build().fit(xs, ys, {'epochs': 3, 'verbose': 0})
print('model.fit in sync code:', history.epoch)
