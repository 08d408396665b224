# Two transfers between two accounts, each account with its own lock.
from threading import Lock, Thread
from time import sleep

AMOUNT = 30
CHECK = 0.2  # seconds a transfer spends between its two locks
ONE_ORDER = False  # True: every transfer locks the accounts in one order

balances = {'A': 100, 'B': 100}
locks = {'A': Lock(), 'B': Lock()}


def transfer(source, target, amount):
    first, second = (source, target)
    if ONE_ORDER:
        first, second = sorted((source, target))
    with locks[first]:
        sleep(CHECK)  # check the balance, write an audit line...
        with locks[second]:
            balances[source] -= amount
            balances[target] += amount
    print(f'moved {amount} from {source} to {target}')


t1 = Thread(target=transfer, args=('A', 'B', AMOUNT), name='pay A->B')
t2 = Thread(target=transfer, args=('B', 'A', AMOUNT), name='pay B->A')
t1.start()
t2.start()
t1.join()
t2.join()
print(balances)
