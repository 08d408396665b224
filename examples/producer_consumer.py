"""A producer hands work to two consumers through a Queue; None tells each one to stop.

Run it plainly (python examples/producer_consumer.py) or traced
(threadlab trace examples/producer_consumer.py) to see who waited for whom.
"""
import queue
import threading
import time

jobs = queue.Queue(maxsize=3)
done = []
done_lock = threading.Lock()


def produce(count):
    for number in range(count):
        time.sleep(0.01)  # making a job takes a while
        jobs.put(number)
    for _ in range(2):
        jobs.put(None)


def consume():
    while True:
        job = jobs.get()
        if job is None:
            return
        time.sleep(0.03)  # handling one takes longer: the queue fills up
        with done_lock:
            done.append(job * job)


workers = [threading.Thread(target=consume, name=f"consumer {i}") for i in (1, 2)]
for worker in workers:
    worker.start()
producer = threading.Thread(target=produce, args=(20,), name="producer")
producer.start()
producer.join()
for worker in workers:
    worker.join()
print(len(done), "jobs done, sum", sum(done))
