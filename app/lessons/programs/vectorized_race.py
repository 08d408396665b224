# Two threads change one array with whole-array numpy operations,
# K times each.
from threading import Thread

import numpy as np

SIZE = 100
K = 10_000


def increase(array):
    for _ in range(K):
        array += 1


def divide(array):
    for _ in range(K):
        array /= 1.1


data = np.ones((SIZE, 1))
t1 = Thread(target=increase, args=(data,))
t2 = Thread(target=divide, args=(data,))
t1.start()
t2.start()
t1.join()
t2.join()
print(data[0])
print(np.mean(data))
