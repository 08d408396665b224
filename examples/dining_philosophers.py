"""Three philosophers share three forks; each takes the fork on the left, then the one on
the right. If all three hold their left fork at once, nobody gets a right one: a deadlock.

Run plainly (python examples/dining_philosophers.py) it hangs: press Ctrl+C.
Traced (threadlab trace examples/dining_philosophers.py) the circle is found, explained
and the program ended with status 4; with --break one wait is broken and the others eat.
Give the argument "ordered" and every philosopher takes the lower-numbered fork first:
no circle can form.
"""
import sys
import threading
import time

SEATS = 3
ordered = sys.argv[1:] == ["ordered"]
forks = [threading.Lock() for _ in range(SEATS)]


def dine(seat):
    left, right = seat, (seat + 1) % SEATS
    first, second = (min(left, right), max(left, right)) if ordered else (left, right)
    with forks[first]:
        time.sleep(0.1)  # thinking with one fork in hand: time for the others to take theirs
        with forks[second]:
            print(f"philosopher {seat} eats")


philosophers = [threading.Thread(target=dine, args=(seat,), name=f"philosopher {seat}") for seat in range(SEATS)]
for philosopher in philosophers:
    philosopher.start()
for philosopher in philosophers:
    philosopher.join()
print("everyone has eaten")
