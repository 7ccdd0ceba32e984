using System;
using NnGen.Generator.Polyfills;

namespace NnGen.Generator.Baking
{
    /// <summary>
    /// Bytes with value equality and a hash computed once (FNV-1a), so the pipeline compares a multi-megabyte weights
    /// file against its cached copy cheaply when they differ and exactly when they do not.
    /// </summary>
    internal sealed class EquatableBytes : IEquatable<EquatableBytes>
    {
        private readonly byte[] _bytes;
        private readonly int _hash;

        public EquatableBytes(byte[] bytes)
        {
            _bytes = bytes;
            uint hash = 2166136261;
            foreach (byte value in bytes)
            {
                hash = unchecked((hash ^ value) * 16777619);
            }

            _hash = HashCodeCombiner.Combine((int)hash, bytes.Length);
        }

        public int Length => _bytes.Length;

        public byte this[int index] => _bytes[index];

        /// <summary>The bytes; callers must not write to them.</summary>
        public byte[] Array => _bytes;

        public bool Equals(EquatableBytes? other)
        {
            if (other is null)
            {
                return false;
            }

            if (ReferenceEquals(this, other))
            {
                return true;
            }

            if (other._hash != _hash || other._bytes.Length != _bytes.Length)
            {
                return false;
            }

            for (int i = 0; i < _bytes.Length; i++)
            {
                if (_bytes[i] != other._bytes[i])
                {
                    return false;
                }
            }

            return true;
        }

        public override bool Equals(object? obj) => Equals(obj as EquatableBytes);

        public override int GetHashCode() => _hash;
    }
}
