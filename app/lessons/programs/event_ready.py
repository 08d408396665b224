# Two workers wait on an Event until the main thread says the data is ready.
from threading import Event, Thread

import numpy as np

SIZE = 100_000

ready = Event()


def increase(array):
    print('Waiting for the data to be ready')
    ready.wait()
    print('Data is ready, going on')
    for i in range(len(array)):
        array[i] += 1


data = np.zeros((SIZE, 1))
t1 = Thread(target=increase, args=(data,))
t2 = Thread(target=increase, args=(data,))
t1.start()
t2.start()
for i in range(len(data)):
    data[i] += 1
print('Data prepared')
ready.set()
t1.join()
t2.join()
print(data[0])
print(np.mean(data))
