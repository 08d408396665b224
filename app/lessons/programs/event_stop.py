# A loop that runs until an Event tells it to stop.
from threading import Event, Thread
from time import sleep

import numpy as np

SIZE = 10_000
PAUSE = 0.1
# PACING 'sleep': time.sleep(PAUSE); 'wait': stop.wait(PAUSE); 'none'
PACING = 'sleep'
THREADS = 1
RUN_FOR = 1

stop = Event()


def increase(array):
    print('Loop started')
    while True:
        if stop.is_set():
            break
        for i in range(len(array)):
            array[i] += 1
        if PACING == 'sleep':
            sleep(PAUSE)
        elif PACING == 'wait':
            stop.wait(PAUSE)
    print('Loop finished')


arrays = [np.ones((SIZE, 1)) for _ in range(THREADS)]
threads = [Thread(target=increase, args=(a,)) for a in arrays]
for t in threads:
    t.start()
print('Main thread lets the loop run')
sleep(RUN_FOR)
print('Setting the stop event')
stop.set()
for t in threads:
    t.join()
for a in arrays:
    print(a[0])
