# A slow counter on its own thread, beside the code that started it.
from threading import Thread
from time import sleep

COUNT = 10
DELAY = 0.2


def count(number, delay=1):
    for i in range(number):
        print(i)
        sleep(delay)


t = Thread(target=count, args=(COUNT,), kwargs={'delay': DELAY})
t.start()
print('Thread started')
t.join()
print('Thread finished')
