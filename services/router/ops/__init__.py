"""Operations: the figures that tell ops tips are flowing."""
