using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace Sparsify.Runtime.Manifests;

/// <summary>
/// An immutable list compared by its elements, so records holding it compare by value (what an
/// incremental source generator needs from its models to cache them). The generator compiles this file
/// as linked source.
/// </summary>
/// <typeparam name="T">The element type; it should be equatable itself.</typeparam>
#if SPARSIFY_LINKED_SOURCE
internal
#else
public
#endif
sealed class EquatableList<T> : IReadOnlyList<T>, IEquatable<EquatableList<T>>
{
    private readonly T[] _items;

    /// <summary>Copies <paramref name="items"/>.</summary>
    /// <param name="items">The elements.</param>
    public EquatableList(IEnumerable<T> items)
    {
        _items = (items ?? throw new ArgumentNullException(nameof(items))).ToArray();
    }

    /// <inheritdoc />
    public int Count => _items.Length;

    /// <inheritdoc />
    public T this[int index] => _items[index];

    /// <inheritdoc />
    public bool Equals(EquatableList<T>? other)
    {
        if (other is null || other._items.Length != _items.Length)
        {
            return false;
        }

        if (ReferenceEquals(this, other))
        {
            return true;
        }

        var comparer = EqualityComparer<T>.Default;
        for (var i = 0; i < _items.Length; i++)
        {
            if (!comparer.Equals(_items[i], other._items[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as EquatableList<T>);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        // The length and the first elements: enough to spread lists, cheap for the long ones.
        var hash = _items.Length;
        var comparer = EqualityComparer<T>.Default;
        for (var i = 0; i < Math.Min(16, _items.Length); i++)
        {
            hash = unchecked((hash * 31) + (_items[i] is { } item ? comparer.GetHashCode(item) : 0));
        }

        return hash;
    }

    /// <inheritdoc />
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();
}
