using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DaprOrders.Emulator.PubSub;

/// <summary>
/// The subset of CEL the emulator evaluates in subscription routing rules: attribute paths on <c>event</c>
/// (<c>event.type</c>, <c>event.data.order.total</c>, extensions), string/number/bool/null literals, the comparisons
/// == != &lt; &lt;= &gt; &gt;=, and &amp;&amp;, ||, ! and parentheses. Anything else (functions, macros, arithmetic,
/// <c>in</c>, indexing) is refused when the subscription loads, never silently mis-evaluated.
/// </summary>
public sealed class RoutingExpression
{
    private readonly Node _root;

    private RoutingExpression(string text, Node root)
    {
        Text = text;
        _root = root;
    }

    public string Text { get; }

    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> naming the expression when it is outside the subset.</summary>
    public static RoutingExpression Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            var parser = new Parser(Tokenize(text));
            var root = parser.ParseExpression();
            parser.ExpectEnd();
            return new RoutingExpression(text, root);
        }
        catch (FormatException ex)
        {
            throw new FormatException(
                $"routing rule match expression '{text}' is not supported by the emulator: {ex.Message}. " +
                "Supported CEL: comparisons (== != < <= > >=) of event attributes with string/number/bool literals, combined with &&, ||, ! and parentheses", ex);
        }
    }

    /// <summary>Evaluates against the CloudEvent; throws <see cref="RoutingEvaluationException"/> as CEL would (missing key, type mismatch).</summary>
    public bool Evaluate(JsonObject cloudEvent) =>
        _root.Evaluate(cloudEvent) is bool result
            ? result
            : throw new RoutingEvaluationException($"expression '{Text}' did not evaluate to a bool");

    public override string ToString() => Text;

    private abstract record Node
    {
        public abstract object? Evaluate(JsonObject cloudEvent);
    }

    private sealed record Literal(object? Value) : Node
    {
        public override object? Evaluate(JsonObject cloudEvent) => Value;
    }

    private sealed record AttributePath(IReadOnlyList<string> Segments) : Node
    {
        public override object? Evaluate(JsonObject cloudEvent)
        {
            JsonNode? current = cloudEvent;
            foreach (var segment in Segments)
            {
                if (current is not JsonObject obj || !obj.TryGetPropertyValue(segment, out var next))
                {
                    throw new RoutingEvaluationException($"no such key: {segment}");
                }

                current = next;
            }

            return current switch
            {
                null => NullValue.Instance,
                JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
                JsonValue value when value.GetValueKind() == JsonValueKind.Number => value.GetValue<double>(),
                JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False => value.GetValue<bool>(),
                _ => current,
            };
        }
    }

    private sealed record Not(Node Operand) : Node
    {
        public override object? Evaluate(JsonObject cloudEvent) =>
            Operand.Evaluate(cloudEvent) is bool value ? !value : throw new RoutingEvaluationException("no such overload: !_");
    }

    private sealed record Logical(bool IsAnd, Node Left, Node Right) : Node
    {
        // CEL's && and || are commutative over errors: false && error == false, true || error == true.
        public override object? Evaluate(JsonObject cloudEvent)
        {
            var left = TryEvaluate(Left, cloudEvent);
            if (left.Value is bool l && l != IsAnd)
            {
                return l;
            }

            var right = TryEvaluate(Right, cloudEvent);
            if (right.Value is bool r && r != IsAnd)
            {
                return r;
            }

            if (left.Error is not null || right.Error is not null)
            {
                throw left.Error ?? right.Error!;
            }

            if (left.Value is not bool || right.Value is not bool)
            {
                throw new RoutingEvaluationException($"no such overload: {(IsAnd ? "&&" : "||")}");
            }

            return IsAnd;
        }

        private static (object? Value, RoutingEvaluationException? Error) TryEvaluate(Node node, JsonObject cloudEvent)
        {
            try
            {
                return (node.Evaluate(cloudEvent), null);
            }
            catch (RoutingEvaluationException ex)
            {
                return (null, ex);
            }
        }
    }

    private sealed record Comparison(string Operator, Node Left, Node Right) : Node
    {
        public override object? Evaluate(JsonObject cloudEvent)
        {
            var left = Left.Evaluate(cloudEvent);
            var right = Right.Evaluate(cloudEvent);
            if (Operator is "==" or "!=")
            {
                var equal = ValuesEqual(left, right);
                return Operator == "==" ? equal : !equal;
            }

            int order = (left, right) switch
            {
                (double a, double b) => a.CompareTo(b),
                (string a, string b) => string.CompareOrdinal(a, b),
                (bool a, bool b) => a.CompareTo(b),
                _ => throw new RoutingEvaluationException($"no such overload: {TypeName(left)} {Operator} {TypeName(right)}"),
            };
            return Operator switch
            {
                "<" => order < 0,
                "<=" => order <= 0,
                ">" => order > 0,
                _ => order >= 0,
            };
        }

        private static bool ValuesEqual(object? left, object? right) => (left, right) switch
        {
            (JsonNode a, JsonNode b) => JsonNode.DeepEquals(a, b),
            (JsonNode, _) or (_, JsonNode) => false,
            _ => Equals(left, right),
        };

        private static string TypeName(object? value) => value switch
        {
            string => "string",
            double => "double",
            bool => "bool",
            NullValue => "null_type",
            _ => "map",
        };
    }

    private sealed class NullValue
    {
        public static readonly NullValue Instance = new();
    }

    private enum TokenKind
    {
        Identifier,
        String,
        Number,
        Operator,
        Dot,
        OpenParen,
        CloseParen,
        End,
    }

    private readonly record struct Token(TokenKind Kind, string Text, object? Value = null);

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Identifier, text[start..i]));
            }
            else if (char.IsAsciiDigit(c))
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
                {
                    i++;
                }

                if (i < text.Length && text[i] == 'u')
                {
                    i++; // CEL unsigned suffix
                }

                var number = text[start..i].TrimEnd('u');
                if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
                {
                    throw new FormatException($"invalid number '{number}'");
                }

                tokens.Add(new Token(TokenKind.Number, number, value));
            }
            else if (c is '"' or '\'')
            {
                i++;
                var value = new StringBuilder();
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new FormatException("unterminated string literal");
                    }

                    var s = text[i++];
                    if (s == c)
                    {
                        break;
                    }

                    if (s == '\\' && i < text.Length)
                    {
                        var escaped = text[i++];
                        value.Append(escaped switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => escaped });
                    }
                    else
                    {
                        value.Append(s);
                    }
                }

                tokens.Add(new Token(TokenKind.String, value.ToString(), value.ToString()));
            }
            else
            {
                var two = i + 1 < text.Length ? text.Substring(i, 2) : string.Empty;
                if (two is "==" or "!=" or "<=" or ">=" or "&&" or "||")
                {
                    tokens.Add(new Token(TokenKind.Operator, two));
                    i += 2;
                }
                else if (c is '<' or '>' or '!')
                {
                    tokens.Add(new Token(TokenKind.Operator, c.ToString()));
                    i++;
                }
                else if (c == '.')
                {
                    tokens.Add(new Token(TokenKind.Dot, "."));
                    i++;
                }
                else if (c == '(')
                {
                    tokens.Add(new Token(TokenKind.OpenParen, "("));
                    i++;
                }
                else if (c == ')')
                {
                    tokens.Add(new Token(TokenKind.CloseParen, ")"));
                    i++;
                }
                else
                {
                    throw new FormatException($"unsupported token '{c}' at position {i}");
                }
            }
        }

        tokens.Add(new Token(TokenKind.End, string.Empty));
        return tokens;
    }

    private sealed class Parser(List<Token> tokens)
    {
        private int _position;

        private Token Current => tokens[_position];

        public Node ParseExpression() => ParseOr();

        public void ExpectEnd()
        {
            if (Current.Kind != TokenKind.End)
            {
                throw new FormatException($"unexpected '{Current.Text}'");
            }
        }

        private Node ParseOr()
        {
            var left = ParseAnd();
            while (IsOperator("||"))
            {
                _position++;
                left = new Logical(false, left, ParseAnd());
            }

            return left;
        }

        private Node ParseAnd()
        {
            var left = ParseUnary();
            while (IsOperator("&&"))
            {
                _position++;
                left = new Logical(true, left, ParseUnary());
            }

            return left;
        }

        private Node ParseUnary()
        {
            if (IsOperator("!"))
            {
                _position++;
                return new Not(ParseUnary());
            }

            var left = ParsePrimary();
            if (Current.Kind == TokenKind.Operator && Current.Text is "==" or "!=" or "<" or "<=" or ">" or ">=")
            {
                var op = Current.Text;
                _position++;
                var right = ParsePrimary();
                if (Current.Kind == TokenKind.Operator && Current.Text is "==" or "!=" or "<" or "<=" or ">" or ">=")
                {
                    throw new FormatException("chained comparisons need parentheses");
                }

                return new Comparison(op, left, right);
            }

            return left;
        }

        private Node ParsePrimary()
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.OpenParen:
                    _position++;
                    var inner = ParseOr();
                    if (Current.Kind != TokenKind.CloseParen)
                    {
                        throw new FormatException("missing ')'");
                    }

                    _position++;
                    return inner;
                case TokenKind.String:
                case TokenKind.Number:
                    _position++;
                    return new Literal(token.Value);
                case TokenKind.Identifier when token.Text is "true" or "false":
                    _position++;
                    return new Literal(token.Text == "true");
                case TokenKind.Identifier when token.Text == "null":
                    _position++;
                    return new Literal(NullValue.Instance);
                case TokenKind.Identifier when token.Text == "event":
                    _position++;
                    var segments = new List<string>();
                    while (Current.Kind == TokenKind.Dot)
                    {
                        _position++;
                        if (Current.Kind != TokenKind.Identifier)
                        {
                            throw new FormatException("expected an attribute name after '.'");
                        }

                        segments.Add(Current.Text);
                        _position++;
                    }

                    if (Current.Kind == TokenKind.OpenParen)
                    {
                        throw new FormatException($"function or macro calls ({segments.LastOrDefault()}) are not supported");
                    }

                    return new AttributePath(segments);
                case TokenKind.Identifier:
                    throw new FormatException(tokens[_position + 1].Kind == TokenKind.OpenParen
                        ? $"function '{token.Text}' is not supported"
                        : $"unknown identifier '{token.Text}' (only 'event' is defined)");
                default:
                    throw new FormatException($"unexpected '{token.Text}'");
            }
        }

        private bool IsOperator(string text) => Current.Kind == TokenKind.Operator && Current.Text == text;
    }
}

/// <summary>A routing expression failed at run time (CEL error): daprd treats the message as failed (dead-lettered if configured).</summary>
public sealed class RoutingEvaluationException(string message) : Exception(message);
