"""Qt item models of the app's lists; each sorts and filters itself (QT-NOTES "Large lists")."""
