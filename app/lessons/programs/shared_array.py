# What a thread can change for its caller: an array, in place;
# not a number, and not a return value.
from threading import Thread

import numpy as np

SIZE = 100


def increase(array):
    array += 1  # changes the array itself: all who hold it see it


def increased_copy(array):
    return array + 1  # a new array: on a thread, handed back to nobody


data = np.ones((SIZE, 1))
increase(data)
print(data[0])

t = Thread(target=increase, args=(data,))
t.start()
t.join()
print(data[0])

t = Thread(target=increased_copy, args=(data,))
t.start()
t.join()
print(data[0])

number = 1
t = Thread(target=increase, args=(number,))
t.start()
t.join()
print(number)
