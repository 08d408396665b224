# Waiting with a limit: acquire(timeout=...) and join(timeout=...).
from threading import Lock, Thread
from time import sleep

import numpy as np

SIZE = 100_000
TIMEOUT = 1
WAIT = 5
JOIN_TIMEOUT = 0.5

lock = Lock()


def increase(array):
    got = lock.acquire(timeout=TIMEOUT)
    print('Lock: ', got)
    for i in range(len(array)):  # goes on with or without the lock
        array[i] += 1


data = np.ones((SIZE, 1))
lock.acquire()  # and never released
t = Thread(target=increase, args=(data,))
t.start()
print('Main thread holds the lock and waits')
sleep(WAIT)
print('Main thread done waiting')
t.join()
print(data[0])
print(np.mean(data))

slow = Thread(target=sleep, args=(2 * JOIN_TIMEOUT,))
slow.start()
slow.join(timeout=JOIN_TIMEOUT)
print('alive after join(timeout):', slow.is_alive())
slow.join()
