using System.Text;

namespace Sparsify.Generators.Emission;

/// <summary>Indented C# text with '\n' line ends, so output is the same bytes on every OS.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public CodeWriter(int indent = 0) => _indent = indent;

    public CodeWriter Line(string line = "")
    {
        if (line.Length > 0)
        {
            _text.Append(' ', _indent * 4).Append(line);
        }

        _text.Append('\n');
        return this;
    }

    /// <summary>Writes <paramref name="line"/> (none when empty: a bare block) and an opening brace, and indents.</summary>
    public CodeWriter Open(string line)
    {
        if (line.Length > 0)
        {
            Line(line);
        }

        Line("{");
        _indent++;
        return this;
    }

    public CodeWriter Close(string suffix = "")
    {
        _indent--;
        return Line("}" + suffix);
    }

    public CodeWriter Append(CodeWriter other)
    {
        _text.Append(other._text);
        return this;
    }

    public bool IsEmpty => _text.Length == 0;

    public override string ToString() => _text.ToString();
}
