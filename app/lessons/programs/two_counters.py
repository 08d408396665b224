# Two slow counters, each on its own thread and at its own pace.
from threading import Thread
from time import sleep

COUNT_1 = 10
DELAY_1 = 0.5
COUNT_2 = 5


def count(number, delay=1):
    for i in range(number):
        print(i)
        sleep(delay)


t1 = Thread(target=count, args=(COUNT_1,), kwargs={'delay': DELAY_1})
t2 = Thread(target=count, args=(COUNT_2,))
t1.start()
t2.start()
t1.join()
t2.join()
