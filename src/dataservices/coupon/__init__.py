"""The coupon data service: coupons, quotes and synchronous, atomic redemptions."""
