# After a time, "ngày" (day) is written in lower case: "05:00 ngày 07 tháng 12 năm 2026".
DATETIME_FORMAT = r"H:i \n\gà\y d \t\há\n\g n \nă\m Y"
