namespace DaprOrders.Contracts;

/// <summary>
/// An amount of money in integer minor units of an ISO 4217 currency (EUR 19.99 is <c>{ 1999, "EUR" }</c>,
/// JPY 500 is <c>{ 500, "JPY" }</c>). Integers, never floating point, so every language round-trips it exactly.
/// </summary>
public sealed record Money(long Amount, string Currency);
