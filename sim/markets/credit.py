"""Vendor credit (A17, A22): a lab's primary cloud lends what a round left short, as compute
on deferred payment against future sales; interest and repayment come out of sales, and a
borrower that exits defaults (the lender's loss, which also cools investors' appetite)."""

from __future__ import annotations

from typing import NamedTuple


class Loan(NamedTuple):
    """Vendor credit a lab owes a cloud (interest accrues monthly)."""

    lender: str
    lab: object
    balance: float


class VendorCredit:
    def __init__(self, model):
        self.model = model
        self.loans: dict[str, Loan] = {}  # lab name -> its loan
        self.credit_cum = 0.0  # lent since 2024-01
        self.credit_defaults_cum = 0.0  # written off since 2024-01
        self.credit_losses: dict[str, float] = {}  # lender -> vendor credit written off
        self._defaults_this_year = 0.0

    def take_defaults_this_year(self) -> float:
        """Credit written off since the last call (the capital market's January review)."""
        lost, self._defaults_this_year = self._defaults_this_year, 0.0
        return lost

    def credit_limit(self, lab) -> float:
        """What a lab may still borrow: a multiple of its annualised sales and a share of its
        valuation, less what it owes."""
        m = self.model
        mo = m.p.money
        loan = self.loans.get(lab.name)
        owed = loan.balance if loan else 0.0
        return max(min(mo.credit_sales_multiple * 12.0 * lab.last_sales,
                       mo.credit_valuation_share * m.capital.valuation(lab)) - owed, 0.0)

    def lend(self, lab, need: float) -> float:
        """Vendor credit: the lab's primary cloud lends what the round left short, within the
        credit limit, to be repaid from sales (a partner's compute on deferred payment)."""
        m = self.model
        if not m.p.strategy.partnerships or not lab.partners:
            return 0.0
        lender = m.by_name.get(lab.partners[0])
        if lender is None:
            return 0.0
        loan = self.loans.get(lab.name)
        if loan is not None and loan.lender != lender.name:
            return 0.0  # one lender a lab
        amount = min(need, self.credit_limit(lab), max(lender.cash, 0.0))
        if amount <= 0:
            return 0.0
        m.ledger.pay(lender.name, lab.name, amount, "vendor_credit")
        self.loans[lab.name] = Loan(lender.name, lab, (loan.balance if loan else 0.0) + amount)
        self.credit_cum += amount
        return amount

    def service_debt(self) -> None:
        """After the month's sales: interest accrues on vendor credit, and a share of each
        borrower's sales, at least the interest, pays it (interest first, then principal)
        as far as its cash goes. A borrower that has exited defaults: what it owes is
        written off, the lender's loss."""
        m = self.model
        mo = m.p.money
        for name, loan in list(self.loans.items()):
            lab = loan.lab
            if not (lab.alive and lab.independent):
                self.credit_defaults_cum += loan.balance
                self._defaults_this_year += loan.balance
                self.credit_losses[loan.lender] = self.credit_losses.get(loan.lender, 0.0) + \
                    loan.balance
                del self.loans[name]
                continue
            interest = loan.balance * mo.credit_interest_per_year / 12.0
            balance = loan.balance + interest
            pay = min(balance, max(mo.credit_repayment_share_of_sales * lab.last_sales,
                                   interest), max(lab.cash, 0.0))
            if pay > 0:
                m.ledger.pay(lab.name, loan.lender, min(pay, interest), "interest")
                m.ledger.pay(lab.name, loan.lender, max(pay - interest, 0.0), "repayment")
            balance -= pay
            if balance <= 1.0:  # repaid (to the dollar)
                del self.loans[name]
            else:
                self.loans[name] = loan._replace(balance=balance)
