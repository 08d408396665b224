"""Two clerks move money between two accounts at once, in opposite directions.

A transfer locks the account it takes from, then the one it pays into. The clerk paying
Alice to Bob holds Alice's lock and waits for Bob's; the one paying Bob to Alice holds
Bob's and waits for Alice's: a deadlock, and the money is stuck. Give the argument
"ordered" and every transfer locks the two accounts in one order (by number), whichever
way the money goes: no circle can form, and the total is the same at the end.

Run plainly (python examples/bank_transfer.py) it hangs: press Ctrl+C.
Traced (threadlab trace examples/bank_transfer.py) the circle is found and explained.
"""
import sys
import threading
import time

ordered = sys.argv[1:] == ["ordered"]


class Account:
    def __init__(self, number, owner, balance):
        self.number, self.owner, self.balance = number, owner, balance
        self.lock = threading.Lock()


def transfer(source, target, amount):
    first, second = sorted((source, target), key=lambda a: a.number) if ordered else (source, target)
    with first.lock:
        time.sleep(0.01)  # checking the balance: time for the other clerk to lock too
        with second.lock:
            source.balance -= amount
            target.balance += amount


def clerk(source, target, times):
    for _ in range(times):
        transfer(source, target, 10)


alice, bob = Account(1, "Alice", 1000), Account(2, "Bob", 1000)
clerks = [threading.Thread(target=clerk, args=(alice, bob, 20), name="clerk A->B"),
          threading.Thread(target=clerk, args=(bob, alice, 20), name="clerk B->A")]
for c in clerks:
    c.start()
for c in clerks:
    c.join()
print(f"Alice {alice.balance}, Bob {bob.balance}, total {alice.balance + bob.balance}")
