"""Markets clear: each module matches the firms' orders and decisions in one market and
moves the money through the ledger. Compute (`compute`), models to customers (`products`),
capital (`capital`), researchers (`talent`) and the roster of labs (`entry`: founding,
failure, acquisitions). Orders and deals are typed (named tuples), never positional."""
