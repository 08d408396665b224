# The main thread holds the lock while it starts the workers and
# prepares the data.
from threading import Lock, Thread

import numpy as np

SIZE = 100_000

lock = Lock()


def increase(array):
    with lock:
        for i in range(len(array)):
            array[i] += 1


def divide(array):
    with lock:
        for i in range(len(array)):
            array[i] /= 1.1


lock.acquire()
data = np.ones((SIZE, 1))
t1 = Thread(target=increase, args=(data,))
t2 = Thread(target=divide, args=(data,))
t2.start()
t1.start()
print('Threads started, but they wait for the lock')
data += 10
lock.release()
t1.join()
t2.join()
print(np.max(data))
print(np.min(data))
