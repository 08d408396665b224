# The main thread holds a lock, then calls a function that takes it again.
from threading import Lock, RLock, Thread

import numpy as np

SIZE = 100_000
REENTRANT = False  # True: an RLock, which its holder may take again

lock = RLock() if REENTRANT else Lock()


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
data += 10
increase(data)  # asks for the lock this thread already holds
lock.release()
t1.join()
t2.join()
print(np.max(data))
print(np.min(data))
