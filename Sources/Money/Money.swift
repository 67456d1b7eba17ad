public enum MoneyModule {}
